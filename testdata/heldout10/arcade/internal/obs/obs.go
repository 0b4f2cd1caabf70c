// Package obs writes structured log lines for Logpush and times storage calls.
package obs

import (
	"encoding/json"
	"log"
	"time"
)

type Fields map[string]any

func Log(event string, f Fields) {
	b, _ := json.Marshal(Fields{"event": event, "ts": time.Now().UTC(), "fields": f})
	log.Println(string(b))
}

// Timed runs fn and logs how long it took and whether it failed.
func Timed(op string, fn func() error) error {
	start := time.Now()
	err := fn()
	Log("storage", Fields{"op": op, "ms": time.Since(start).Milliseconds(), "failed": err != nil})
	return err
}
