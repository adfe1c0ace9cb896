package dev.tacit.testing;

import java.util.Arrays;

/** Small statistics for tests: the two-sample Kolmogorov-Smirnov test. */
public final class Stats {

    private Stats() {}

    public record Ks(double d, double p) {}

    /** Two-sample KS statistic and its asymptotic p-value (Numerical Recipes' Q_KS). */
    public static Ks kolmogorovSmirnov(double[] a, double[] b) {
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            double v = Math.min(x[i], y[j]);
            while (i < x.length && x[i] <= v) {
                i++;
            }
            while (j < y.length && y[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
        }
        double ne = (double) x.length * y.length / (x.length + y.length);
        double lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
        return new Ks(d, qks(lambda));
    }

    static double qks(double lambda) {
        if (lambda < 1e-3) {
            return 1.0;
        }
        double sum = 0;
        double sign = 1;
        for (int k = 1; k <= 100; k++) {
            double term = sign * Math.exp(-2.0 * k * k * lambda * lambda);
            sum += term;
            if (Math.abs(term) < 1e-12) {
                break;
            }
            sign = -sign;
        }
        return Math.max(0, Math.min(1, 2 * sum));
    }

    public static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
