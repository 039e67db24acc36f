package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// On PostgreSQL a blob file's content is rows of setbot_blob_chunks,
// written in the transaction that records it in blobfiles/, so that every
// replica can read it. setbot hands content on as a file
// (setbot.Content.Path), so Blob writes the chunks to a file in the local
// blob cache, "<local dir>/blobs/sha256-<hex>", once: the name is the
// content's hash, so a file there of the right size is the content.

// blobChunkSize is the size of one chunk: a 200 MiB upload is never one
// value in memory, on either side of the connection.
const blobChunkSize = 1 << 20

const (
	sqlChunkTotal = `SELECT count(*), coalesce(sum(length(data)), 0) FROM setbot_blob_chunks WHERE key = $1`
	sqlPutChunk   = `INSERT INTO setbot_blob_chunks (key, n, data) VALUES ($1, $2, $3)
		ON CONFLICT (key, n) DO UPDATE SET data = EXCLUDED.data` // a replica storing the same blob at once: a conflict, retried
	sqlDelChunks  = `DELETE FROM setbot_blob_chunks WHERE key = $1`
	sqlChunks     = `SELECT data FROM setbot_blob_chunks WHERE key = $1 ORDER BY n`
	sqlStrayChunk = `DELETE FROM setbot_blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM setbot_kv
		WHERE bucket = 'blobfiles' AND key = convert_to(c.key, 'UTF8'))`
)

// putBlobFile writes the file's content as chunks, unless the same
// content (the same key and size) is there already, and links the file
// into the local cache so that this replica need not read it back.
func (t *pgTx) putBlobFile(key, path string) (int64, error) {
	if t.flush() != nil {
		return 0, t.failed
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	var chunks, size int64
	if err := t.tx.QueryRow(t.ctx, sqlChunkTotal, key).Scan(&chunks, &size); err != nil {
		return 0, t.fail(fmt.Errorf("postgres store: read blob chunks: %w", err))
	}
	if chunks != (st.Size()+blobChunkSize-1)/blobChunkSize || size != st.Size() {
		if err := t.writeChunks(key, f); err != nil {
			return 0, err
		}
	}
	if err := os.MkdirAll(t.e.blobCacheDir(), 0o700); err == nil {
		placeFile(path, filepath.Join(t.e.blobCacheDir(), blobFileName(key))) // a cache: Blob reads the chunks when this failed
	}
	return st.Size(), nil
}

// writeChunks replaces key's chunks with the content of r, a chunk at a
// time.
func (t *pgTx) writeChunks(key string, r io.Reader) error {
	if _, err := t.tx.Exec(t.ctx, sqlDelChunks, key); err != nil {
		return t.fail(fmt.Errorf("postgres store: write blob chunks: %w", err))
	}
	buf := make([]byte, blobChunkSize)
	for n := 0; ; n++ {
		m, err := io.ReadFull(r, buf)
		if m > 0 {
			if _, err := t.tx.Exec(t.ctx, sqlPutChunk, key, n, buf[:m]); err != nil {
				return t.fail(fmt.Errorf("postgres store: write blob chunks: %w", err))
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// blobFile returns the cached file of the blob, writing it from the
// chunks first when it is not there. ok is false when the chunks do not
// add up to size (collected meanwhile).
func (e *pgEngine) blobFile(key string, size int64) (string, bool, error) {
	dest := filepath.Join(e.blobCacheDir(), blobFileName(key))
	if st, err := os.Stat(dest); err == nil && st.Size() == size {
		return dest, true, nil
	}
	if err := os.MkdirAll(e.blobCacheDir(), 0o700); err != nil {
		return "", false, fmt.Errorf("create blob cache: %w", err)
	}
	f, err := os.CreateTemp(e.blobCacheDir(), tempPrefix+"*")
	if err != nil {
		return "", false, fmt.Errorf("create blob cache file: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, nothing
	n, err := e.readChunks(key, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || n != size {
		return "", false, err
	}
	if err := os.Rename(f.Name(), dest); err != nil {
		return "", false, fmt.Errorf("cache blob file: %w", err)
	}
	return dest, true, nil
}

// readChunks copies key's chunks to w in order, in one snapshot, a row at
// a time, and returns how many bytes it wrote.
func (e *pgEngine) readChunks(key string, w io.Writer) (int64, error) {
	var n int64
	err := e.view(func(tx kvTx) error {
		t := tx.(*pgTx)
		rows, err := t.tx.Query(t.ctx, sqlChunks, key)
		if err != nil {
			return fmt.Errorf("postgres store: read blob chunks: %w", err)
		}
		defer rows.Close()
		var chunk []byte
		for rows.Next() {
			if err := rows.Scan(&chunk); err != nil {
				return fmt.Errorf("postgres store: read blob chunks: %w", err)
			}
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				return fmt.Errorf("cache blob file: %w", err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres store: read blob chunks: %w", err)
		}
		return nil
	})
	return n, err
}

// removeStrayBlobs deletes the chunks and the locally cached files of
// blobs that blobfiles/ does not record. A cached file is only a copy, so
// removing it in a transaction that then fails loses nothing.
func (t *pgTx) removeStrayBlobs() error {
	if t.flush() != nil {
		return t.failed
	}
	if _, err := t.tx.Exec(t.ctx, sqlStrayChunk); err != nil {
		return t.fail(fmt.Errorf("postgres store: delete unused blob chunks: %w", err))
	}
	dir := t.e.blobCacheDir()
	es, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read blob cache: %w", err)
	}
	recorded := t.Bucket(bucketBlobFiles)
	for _, e := range es {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			continue // a file Blob is writing
		}
		key := strings.Replace(e.Name(), "-", ":", 1)
		if !blobKeyOnly.MatchString(key) || recorded.Get([]byte(key)) == nil {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove unused cached blob: %w", err)
			}
		}
	}
	return t.failed
}

// hasBlobContent reports whether any blob chunk is stored.
func (e *pgEngine) hasBlobContent() (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	var ok bool
	if err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM setbot_blob_chunks)`).Scan(&ok); err != nil {
		return false, fmt.Errorf("postgres store: look for blob chunks: %w", err)
	}
	return ok, nil
}
