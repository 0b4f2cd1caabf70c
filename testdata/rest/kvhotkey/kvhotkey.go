// Package kvhotkey holds kvhotkey's cases on the KV REST API.
package kvhotkey

import (
	"context"

	"kvlint.test/rest/kvrest"
)

// One key written once per event, as fast as events come.
func mirror(ctx context.Context, c *kvrest.Client, events []string) error { // want mirror:"kvhotkey"
	for _, e := range events {
		if err := c.Put(ctx, "status:latest", e, 0); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: one key per event.
func archive(ctx context.Context, c *kvrest.Client, events map[string]string) error {
	for id, e := range events {
		if err := c.Put(ctx, "event:"+id, e, 0); err != nil {
			return err
		}
	}
	return nil
}
