import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256 of a file the way the USB provider hashes a package of a refused version (64 KiB reads, no link
 * followed): prints the seconds of each of N passes in one JVM. Usage: java DigestBench.java FILE N
 */
public class DigestBench {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            long start = System.nanoTime();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0;) {
                    md.update(buf, 0, n);
                }
            }
            String hex = HexFormat.of().formatHex(md.digest());
            System.out.printf("%.3f %s%n", (System.nanoTime() - start) / 1e9, hex.substring(0, 12));
        }
    }
}
