/**
 * The streamed archives of a bulk product download: a list of files (already checked to lie
 * inside the product directories) written as a ustar archive (tar-stream) or a ZIP (yazl), one
 * file after the other, each piped through with back-pressure and never held in memory. ZIP
 * entries are stored (FITS data compresses little, and storing keeps the stream cheap); yazl
 * switches to ZIP64 records by itself when an entry or the archive passes 4 GiB or 65,535 entries.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { ZipFile } from 'yazl';

export type BulkFormat = 'tar' | 'zip';

export interface ArchiveFile {
  /** The name inside the archive (`<collection>/<obs_id>.fits`). */
  name: string;
  /** The file on disk. */
  path: string;
  size: number;
}

export const ARCHIVE_TYPES: Record<BulkFormat, { type: string; extension: string }> = {
  tar: { type: 'application/x-tar', extension: 'tar' },
  zip: { type: 'application/zip', extension: 'zip' },
};

/** A ustar archive of `files`; `onError` hears a file that failed mid-way (the stream is destroyed). */
export function tarArchive(files: readonly ArchiveFile[], mtime: Date, onError: (err: Error) => void): ReturnType<typeof tarPack> {
  const archive = tarPack();
  void (async () => {
    for (const f of files) {
      await new Promise<void>((done, fail) => {
        const entry = archive.entry({ name: f.name, size: f.size, mode: 0o644, mtime }, (err) => (err ? fail(err) : done()));
        const input = createReadStream(f.path);
        input.on('error', (err) => {
          entry.destroy(err);
          fail(err);
        });
        input.pipe(entry);
      });
    }
    archive.finalize();
  })().catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    onError(e);
    archive.destroy(e);
  });
  return archive;
}

/**
 * A ZIP of `files` (stored entries, sizes checked by yazl against `size`); `forceZip64` writes
 * ZIP64 records even when they are not needed (tests read such archives back).
 */
export function zipArchive(
  files: readonly ArchiveFile[],
  mtime: Date,
  onError: (err: Error) => void,
  opts: { forceZip64?: boolean } = {},
): Readable {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  const fail = (err: unknown): void => {
    const e = err instanceof Error ? err : new Error(String(err));
    onError(e);
    out.destroy(e);
  };
  zip.on('error', fail);
  const forceZip64Format = opts.forceZip64 ?? false;
  for (const f of files) {
    zip.addReadStreamLazy(f.name, { size: f.size, mtime, mode: 0o100644, compress: false, forceZip64Format }, (cb) => {
      const input = createReadStream(f.path);
      input.on('error', fail);
      cb(null, input);
    });
  }
  zip.end({ forceZip64Format, comment: '' });
  return out;
}
