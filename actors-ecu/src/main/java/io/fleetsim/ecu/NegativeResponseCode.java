package io.fleetsim.ecu;

/**
 * The UDS (ISO 14229-1) negative response codes this ECU model can answer with. Keeping the ISO
 * byte lets logs and reports be read next to a real diagnostic trace.
 */
public enum NegativeResponseCode {
  GENERAL_REJECT(0x10),
  SUB_FUNCTION_NOT_SUPPORTED(0x12),
  INCORRECT_MESSAGE_LENGTH(0x13),
  BUSY_REPEAT_REQUEST(0x21),
  CONDITIONS_NOT_CORRECT(0x22),
  REQUEST_SEQUENCE_ERROR(0x24),
  REQUEST_OUT_OF_RANGE(0x31),
  SECURITY_ACCESS_DENIED(0x33),
  UPLOAD_DOWNLOAD_NOT_ACCEPTED(0x70),
  TRANSFER_DATA_SUSPENDED(0x71),
  GENERAL_PROGRAMMING_FAILURE(0x72),
  WRONG_BLOCK_SEQUENCE_COUNTER(0x73),
  SERVICE_NOT_SUPPORTED_IN_ACTIVE_SESSION(0x7F);

  private final int code;

  NegativeResponseCode(int code) {
    this.code = code;
  }

  /** The byte that follows 0x7F and the service id in a negative response. */
  public int code() {
    return code;
  }

  /** As a diagnostic tester prints it, e.g. {@code 0x73 wrongBlockSequenceCounter}. */
  public String describe() {
    String[] words = name().toLowerCase(java.util.Locale.ROOT).split("_");
    StringBuilder camel = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      camel.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return String.format("0x%02X %s", code, camel);
  }
}
