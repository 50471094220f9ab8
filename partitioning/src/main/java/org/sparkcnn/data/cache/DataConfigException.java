/*
 * The data cannot be had as its settings ask: data.cache: encoded for a source whose samples are
 * pixels to begin with, or more undecodable images in a split than data.max_bad_fraction allows.
 * The message names the key and what it expects; nothing has been trained. The driver reports it
 * as a bad input, as it reports a bad config value.
 */
package org.sparkcnn.data.cache;

public final class DataConfigException extends RuntimeException {
  DataConfigException(String message) {
    super(message);
  }
}
