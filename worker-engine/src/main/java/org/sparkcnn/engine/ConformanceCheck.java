/*
 * How one conformance case (Conformance) is going: each tensor compared with the reference keeps
 * the worst error relative to max(1, max |expected|), and the case passes while every tensor is
 * within its tolerance.
 */
package org.sparkcnn.engine;

import com.fasterxml.jackson.databind.JsonNode;

final class ConformanceCheck {
  final String name;
  String worstTensor = "";
  double worst = 0;
  double worstRatio = -1;
  boolean passed = true;

  ConformanceCheck(String name) {
    this.name = name;
  }

  void compare(String tensor, JsonNode expected, float[] actual, double tol) {
    double[] e = Conformance.doubles(expected);
    if (actual == null || actual.length < e.length) {
      throw new IllegalStateException(tensor + ": expected " + e.length + " values");
    }
    double scale = 1;
    for (double x : e) {
      scale = Math.max(scale, Math.abs(x));
    }
    double err = 0;
    for (int i = 0; i < e.length; i++) {
      double d = Math.abs(actual[i] - e[i]);
      err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
    }
    double rel = err / scale;
    if (rel / tol >= worstRatio) {
      worstRatio = rel / tol;
      worstTensor = tensor;
      worst = rel;
    }
    passed &= rel <= tol;
  }

  Conformance.Outcome outcome() {
    return new Conformance.Outcome(
        name, passed, worstTensor, worst, passed ? "" : "exceeds tolerance");
  }
}
