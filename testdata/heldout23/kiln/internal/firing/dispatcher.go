package firing

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"example.com/kiln/internal/kvstore"
)

// Hook observes executed commands.
type Hook func(cmd Command, took time.Duration, err error)

// Dispatcher executes commands against the firing bucket.
type Dispatcher struct {
	bucket *kvstore.Bucket
	hooks  []Hook
	log    *log.Logger
}

// NewDispatcher returns a dispatcher; hooks run after every command.
func NewDispatcher(b *kvstore.Bucket, l *log.Logger, hooks ...Hook) *Dispatcher {
	return &Dispatcher{bucket: b, hooks: hooks, log: l}
}

// Execute runs one command.
func (d *Dispatcher) Execute(ctx context.Context, cmd Command) error {
	start := time.Now()
	err := cmd.Apply(ctx, d.bucket)
	for _, h := range d.hooks {
		h(cmd, time.Since(start), err)
	}
	if err != nil {
		return fmt.Errorf("firing %s: %w", cmd.Name(), err)
	}
	return nil
}

type progress struct {
	Done    int       `json:"done"`
	Total   int       `json:"total"`
	Last    string    `json:"last"`
	Updated time.Time `json:"updated"`
}

// ExecuteAll runs a batch submitted by the loading screen, recording
// progress so the screen can show how far the batch got.
func (d *Dispatcher) ExecuteAll(ctx context.Context, batchID string, cmds []Command) error {
	for i, cmd := range cmds {
		if err := d.Execute(ctx, cmd); err != nil {
			return err
		}
		p := progress{Done: i + 1, Total: len(cmds), Last: cmd.Name(), Updated: time.Now()}
		raw, _ := json.Marshal(p)
		if err := d.bucket.Put(ctx, "firing:batch:"+batchID, raw, time.Hour); err != nil { // EXPECT kvhotkey
			d.log.Printf("firing: progress for %s: %v", batchID, err)
		}
	}
	return nil
}
