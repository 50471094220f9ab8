/* The two splits every source provides. */
package org.sparkcnn.data;

public enum Split {
  TRAIN,
  TEST
}
