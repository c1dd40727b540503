package dev.berth.image.layer;

/**
 * What unpacking one layer produced.
 *
 * @param entries     tar entries applied
 * @param fileBytes   bytes of regular file content written
 * @param whiteouts   whiteouts (file and opaque) converted to overlay form
 */
public record UnpackResult(long entries, long fileBytes, long whiteouts) {
}
