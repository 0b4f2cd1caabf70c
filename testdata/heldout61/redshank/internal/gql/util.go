package gql

import (
	"encoding/json"

	"github.com/cloudflare/cloudflare-go"
)

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// cloudflareBulk builds a one-pair bulk write; the bulk endpoint is the
// only one that stores metadata next to the value.
func cloudflareBulk(namespaceID, key, value string, metadata map[string]any) cloudflare.WriteWorkersKVEntriesParams {
	return cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: namespaceID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: value, Metadata: metadata}},
	}
}
