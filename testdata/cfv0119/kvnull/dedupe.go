package kvnull

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type event struct {
	ID, Type string
	Payload  []byte
}

// Quiet: an event remembered by its type under its own ID; a failed read
// leads to the event handled again and the same text written again.
func handleOnce(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, evt event, handle func(event) error) error {
	key := "event:" + evt.ID
	if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key}); err == nil {
		return nil
	}
	if err := handle(evt); err != nil {
		return err
	}
	_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: []byte(evt.Type)})
	return err
}

// The event's payload, which a later event under the same ID replaces,
// written over the stored one after any failed read.
func storeOnce(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, evt event, latest []byte) error {
	key := "event:" + evt.ID
	if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key}); err == nil { // want `every error of this get is taken for a missing key`
		return nil
	}
	_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: latest})
	return err
}

// Quiet: the time a sender passed, stamped again after any failed read;
// what it replaces is an earlier time.
func markPassed(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns, sender string) error {
	key := "passed:" + sender
	if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key}); err == nil {
		return nil
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	_, err := api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: []byte(stamp)})
	return err
}
