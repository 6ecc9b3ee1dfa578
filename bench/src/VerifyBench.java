import java.nio.file.Path;
import java.util.List;

import org.ocfupdate.gateway.support.Keys;
import org.ocfupdate.update.engine.internal.pkg.PackageVerifier;

/**
 * Verifies a package N times in one JVM, as the running gateway does (the JIT warm after the first pass), and
 * prints each time. Run with ocf-pkg.jar on the class path: it holds the gateway's verifier and Jackson.
 * Usage: java -cp gateway-app/target/ocf-pkg.jar bench/src/VerifyBench.java PUBLIC.pem PACKAGE.zip [N]
 */
public class VerifyBench {
    public static void main(String[] args) throws Exception {
        var key = Keys.readPublic(Path.of(args[0]));
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            PackageVerifier.verify(Path.of(args[1]), List.of(key), null);
            System.out.printf("%.3f%n", (System.nanoTime() - t) / 1e9);
        }
    }
}
