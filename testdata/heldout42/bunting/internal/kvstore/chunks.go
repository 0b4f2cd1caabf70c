package kvstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// ChunkSize is the size of each part of a large value.
const ChunkSize = 4 << 20

// Manifest describes a value stored as several chunk keys.
type Manifest struct {
	Parts  int    `json:"parts"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

func chunkKey(key string, i int) string { return fmt.Sprintf("%s/part/%04d", key, i) }

// PutLarge splits data into chunks and writes them followed by the manifest.
func (s *Store) PutLarge(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	sum := sha256.Sum256(data)
	m := Manifest{Size: len(data), SHA256: hex.EncodeToString(sum[:])}
	var batch Batch
	for off := 0; off < len(data); off += ChunkSize {
		end := min(off+ChunkSize, len(data))
		batch = append(batch, &Pair{
			Key:           chunkKey(key, m.Parts),
			Value:         base64.StdEncoding.EncodeToString(data[off:end]),
			Base64:        true,
			ExpirationTTL: int(ttl.Seconds()),
		})
		m.Parts++
	}
	if err := s.WriteBatch(ctx, batch); err != nil {
		return fmt.Errorf("write chunks of %q: %w", key, err)
	}
	return s.PutJSON(ctx, key, m, ttl)
}

// GetLarge reads the manifest at key and reassembles the chunks.
func (s *Store) GetLarge(ctx context.Context, key string) ([]byte, error) {
	var m Manifest
	if err := s.Load(ctx, key, &m); err != nil {
		return nil, err
	}
	out := make([]byte, 0, m.Size)
	for i := 0; i < m.Parts; i++ {
		part, err := s.Get(ctx, chunkKey(key, i))
		if err != nil {
			return nil, fmt.Errorf("part %d of %q: %w", i, key, err)
		}
		out = append(out, part...)
	}
	sum := sha256.Sum256(out)
	if hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, fmt.Errorf("checksum mismatch for %q", key)
	}
	return out, nil
}

// manifestJSON is used by exporters that write the manifest themselves.
func manifestJSON(m Manifest) string {
	raw, _ := json.Marshal(m)
	return string(raw)
}

// ManifestValue renders m as the string stored at the manifest key.
func ManifestValue(m Manifest) string { return manifestJSON(m) }
