//go:build js && wasm

package kvstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// ChunkSize is the size of each part of a large value. Parts stay well
// under the value limit so that a single part can be rewritten cheaply.
const ChunkSize = 4 << 20

// Manifest describes a value split over several keys.
type Manifest struct {
	Size     int       `json:"size"`
	Parts    int       `json:"parts"`
	Written  int       `json:"written"`
	SHA256   string    `json:"sha256"`
	Complete bool      `json:"complete"`
	Updated  time.Time `json:"updated"`
}

func manifestKey(key string) string    { return key + "/manifest" }
func partKey(key string, i int) string { return key + "/part/" + strconv.Itoa(i) }

// PutLarge stores data under key as a manifest plus ChunkSize parts. The
// manifest records progress so that an interrupted upload can be resumed
// from the first part that was not written.
func (s *Store) PutLarge(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	sum := sha256.Sum256(data)
	m := Manifest{
		Size:   len(data),
		Parts:  (len(data) + ChunkSize - 1) / ChunkSize,
		SHA256: hex.EncodeToString(sum[:]),
	}
	for i := 0; i < m.Parts; i++ {
		end := min((i+1)*ChunkSize, len(data))
		if err := s.PutString(ctx, partKey(key, i), string(data[i*ChunkSize:end]), ttl); err != nil {
			return fmt.Errorf("kvstore: part %d of %s: %w", i, key, err)
		}
		m.Written = i + 1
		m.Updated = time.Now().UTC()
		if err := s.Put(ctx, manifestKey(key), m, ttl); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	m.Complete = true
	return s.Put(ctx, manifestKey(key), m, ttl)
}

// GetLarge reassembles a value written by PutLarge.
func (s *Store) GetLarge(ctx context.Context, key string) ([]byte, bool, error) {
	var m Manifest
	ok, err := s.Load(ctx, manifestKey(key), &m)
	if err != nil || !ok {
		return nil, false, err
	}
	if !m.Complete {
		return nil, false, fmt.Errorf("kvstore: %s is incomplete (%d/%d parts)", key, m.Written, m.Parts)
	}
	var buf bytes.Buffer
	buf.Grow(m.Size)
	for i := 0; i < m.Parts; i++ {
		part, ok, err := s.Get(ctx, partKey(key, i))
		if err != nil {
			return nil, false, err
		}
		if !ok {
			return nil, false, fmt.Errorf("kvstore: %s part %d missing", key, i)
		}
		buf.WriteString(part)
	}
	sum := sha256.Sum256(buf.Bytes())
	if hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, false, fmt.Errorf("kvstore: %s checksum mismatch", key)
	}
	return buf.Bytes(), true, nil
}
