package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// ErrNotEmpty is returned by Copy when the destination holds more than
// Open itself makes.
var ErrNotEmpty = errors.New("the destination store is not empty")

// Copy copies the store src into dst, which must be as Open left it
// (records in meta/ only, no blob content): every bucket's keys, values
// and sequence, meta/ included (src's button key, creation time and
// cursors replace dst's, so that buttons already posted still verify),
// and the content of every blob file. The records go in one transaction
// of dst: a failed copy leaves dst as it was. Then it counts the keys of
// every bucket in both and returns dst's counts by bucket name, failing
// when any differs. Nothing may write to src or dst meanwhile
// (`setbot migrate-store` runs with setbot stopped). A blob whose content
// src has lost is copied as a record without content, as it was.
func Copy(dst, src *DB) (map[string]int, error) {
	if err := dst.checkEmpty(); err != nil {
		return nil, err
	}
	files, err := src.blobFiles()
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	err = src.eng.view(func(s kvTx) error {
		return dst.eng.update(func(d kvTx) error { return copyAll(d, s, files) })
	})
	dst.incidentCache.invalidate()
	dst.pageCache.invalidate()
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	return compareCounts(dst, src)
}

// checkEmpty fails with ErrNotEmpty when any bucket but meta/ holds a
// key, or the engine keeps blob content.
func (db *DB) checkEmpty() error {
	full := ""
	err := db.eng.view(func(tx kvTx) error {
		for _, name := range allBuckets {
			if bytes.Equal(name, bucketMeta) { // Open writes it
				continue
			}
			if n := tx.Bucket(name).KeyN(); n > 0 && full == "" {
				full = fmt.Sprintf("its %s bucket holds %d records", name, n)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if full == "" {
		ok, err := db.eng.hasBlobContent()
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		if ok {
			full = "it holds blob content"
		}
	}
	if full != "" {
		return fmt.Errorf("copy into %s: %w: %s", db.Path(), ErrNotEmpty, full)
	}
	return nil
}

// blobFiles returns the local file of every blob file src records, by
// key; a blob whose content is gone has none.
func (db *DB) blobFiles() (map[string]string, error) {
	sizes := map[string]int64{}
	err := db.eng.view(func(tx kvTx) error {
		return tx.Bucket(bucketBlobFiles).ForEach(func(k, v []byte) error {
			if len(v) == 8 && blobKeyOnly.Match(k) {
				sizes[string(k)] = int64(binary.BigEndian.Uint64(v))
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for key, size := range sizes {
		path, ok, err := db.eng.blobFile(key, size)
		if err != nil {
			return nil, fmt.Errorf("read blob %s: %w", key, err)
		}
		if ok {
			files[key] = path
		}
	}
	return files, nil
}

// copyAll copies every bucket of s into d, meta/ replacing d's, then the
// blob files' content.
func copyAll(d, s kvTx, files map[string]string) error {
	for _, name := range allBuckets {
		if err := copyBucket(d.Bucket(name), s.Bucket(name)); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(files)) {
		if _, err := d.putBlobFile(key, files[key]); err != nil {
			return fmt.Errorf("blob %s: %w", key, err)
		}
	}
	return s.err()
}

// copyBucket makes d hold what s holds: d's own keys (only meta/ has
// any) go first.
func copyBucket(d, s kvBucket) error {
	var old [][]byte
	err := d.ForEach(func(k, _ []byte) error {
		old = append(old, append([]byte(nil), k...))
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := d.Delete(k); err != nil {
			return err
		}
	}
	if err := s.ForEach(d.Put); err != nil {
		return err
	}
	return d.SetSequence(s.Sequence())
}

// compareCounts counts every bucket's keys, and reads its sequence, in
// dst and src; it returns dst's counts, or an error naming a difference.
func compareCounts(dst, src *DB) (map[string]int, error) {
	dc, ds, err := dst.counts()
	if err != nil {
		return nil, fmt.Errorf("copy: count the destination: %w", err)
	}
	sc, ss, err := src.counts()
	if err != nil {
		return nil, fmt.Errorf("copy: count the source: %w", err)
	}
	for _, name := range allBuckets {
		b := string(name)
		if dc[b] != sc[b] || ds[b] != ss[b] {
			return dc, fmt.Errorf("copy: bucket %s has %d records (sequence %d) in the source but %d (sequence %d) in the destination", b, sc[b], ss[b], dc[b], ds[b])
		}
	}
	return dc, nil
}

// counts returns, by bucket name, how many keys each bucket holds and its
// sequence, in one snapshot.
func (db *DB) counts() (map[string]int, map[string]uint64, error) {
	n, seq := map[string]int{}, map[string]uint64{}
	err := db.eng.view(func(tx kvTx) error {
		for _, name := range allBuckets {
			b := tx.Bucket(name)
			n[string(name)], seq[string(name)] = b.KeyN(), b.Sequence()
		}
		return nil
	})
	return n, seq, err
}
