package dev.tacit.audit;

import java.util.Arrays;

/**
 * A two-sided Mann-Whitney U test (normal approximation, tie-corrected) on two latency samples:
 * random canaries against names that exist. It flags a timing oracle even when the reply text is the
 * same for both, e.g. sendmail's VRFY slow-down that only successful lookups pay
 * (sendmail-privacy.md 9) or a directory lookup that is only done for real users.
 *
 * <p>Rank tests suit latencies: they are heavy-tailed and a few scheduler hiccups must not decide.
 * The result counts only when it is both significant (p below {@link #ALPHA}) and large enough to be
 * usable by an attacker (medians at least {@link #MIN_EFFECT_MS} apart).
 */
public final class TimingTest {

    public static final double ALPHA = 0.001;
    public static final double MIN_EFFECT_MS = 1.0;

    private TimingTest() {}

    /**
     * @param method       the method timed
     * @param canaryMedian median latency of canaries, ms
     * @param knownMedian  median latency of existing names, ms
     * @param z            the test statistic
     * @param p            two-sided p-value
     * @param oracle       whether a timing oracle was found
     */
    public record Result(Method method, int samples, double canaryMedian, double knownMedian, double u, double z, double p,
                         boolean oracle) {}

    public static Result compare(Method method, double[] canaryMs, double[] knownMs) {
        int n1 = canaryMs.length;
        int n2 = knownMs.length;
        if (n1 < 2 || n2 < 2) {
            return new Result(method, Math.min(n1, n2), median(canaryMs), median(knownMs), Double.NaN, 0, 1, false);
        }
        double[][] all = new double[n1 + n2][];
        for (int i = 0; i < n1; i++) {
            all[i] = new double[] {canaryMs[i], 0};
        }
        for (int i = 0; i < n2; i++) {
            all[n1 + i] = new double[] {knownMs[i], 1};
        }
        Arrays.sort(all, (a, b) -> Double.compare(a[0], b[0]));
        int n = n1 + n2;
        double r1 = 0;
        double tieSum = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && all[j + 1][0] == all[i][0]) {
                j++;
            }
            double rank = (i + j + 2) / 2.0;   // ranks are 1-based; ties get the mean rank
            int t = j - i + 1;
            tieSum += (double) t * t * t - t;
            for (int k = i; k <= j; k++) {
                if (all[k][1] == 0) {
                    r1 += rank;
                }
            }
            i = j + 1;
        }
        double u1 = r1 - n1 * (n1 + 1) / 2.0;
        double mu = n1 * (double) n2 / 2.0;
        double sigma = Math.sqrt(n1 * (double) n2 / 12.0 * ((n + 1) - tieSum / ((double) n * (n - 1))));
        double z = sigma == 0 ? 0 : (u1 - mu - Math.signum(u1 - mu) * 0.5) / sigma;
        double p = sigma == 0 ? 1 : Math.min(1, 2 * upperTail(Math.abs(z)));
        double mc = median(canaryMs);
        double mk = median(knownMs);
        boolean oracle = p < ALPHA && Math.abs(mc - mk) >= MIN_EFFECT_MS;
        return new Result(method, Math.min(n1, n2), mc, mk, u1, z, p, oracle);
    }

    static double median(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** P(Z > z) for a standard normal Z, via erfc (W. J. Cody's rational approximation is overkill here). */
    static double upperTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
