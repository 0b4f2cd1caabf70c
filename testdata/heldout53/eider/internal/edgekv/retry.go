//go:build js && wasm

package edgekv

import (
	"context"
	"strings"
	"time"
)

// PutRetry writes value and retries with exponential backoff when KV
// answers 429 for the key.
func (n *Namespace) PutRetry(ctx context.Context, key, value string, ttl time.Duration) error {
	backoff := time.Second
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = n.Put(key, value, ttl) // DEBATABLE kvhotkey
		if err == nil || !strings.Contains(err.Error(), "429") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	return err
}
