package kvnull

import (
	"context"
	"encoding/json"

	"github.com/cloudflare/cloudflare-go"
)

type entry struct {
	Name, Latest string
}

// entryPair builds the pair of an entry: its key is the entry's.
func entryPair(e entry) (*cloudflare.WorkersKVPair, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return &cloudflare.WorkersKVPair{Key: "pkg:" + e.Name, Value: string(b)}, nil
}

// Any failure to read the entry's key is taken for "not there", and the
// pair the helper built for that key is written over it.
func reconcile(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, e entry) error {
	if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "pkg:" + e.Name}); err == nil { // want `every error of this get is taken for a missing key`
		return nil
	}
	p, err := entryPair(e)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: p.Key, Value: []byte(p.Value)})
	return err
}

// The same, writing another entry's pair: a failure writes nothing over
// the key it read.
func reconcileLatest(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, e, latest entry) error {
	if _, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "pkg:" + e.Name}); err == nil {
		return nil
	}
	p, err := entryPair(latest)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: p.Key, Value: []byte(p.Value)})
	return err
}
