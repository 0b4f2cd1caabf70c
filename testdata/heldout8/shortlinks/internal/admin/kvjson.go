package admin

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

func getJSON[T any](ns *kv.Namespace, key string) (T, error) {
	var v T
	raw, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return v, err
	}
	err = json.Unmarshal([]byte(raw), &v)
	return v, err
}

func putJSON[T any](ns *kv.Namespace, key string, v T, opts *kv.PutOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), opts)
}
