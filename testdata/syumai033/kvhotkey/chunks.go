package kvhotkey

import (
	"slices"

	"github.com/syumai/workers/cloudflare/kv"
)

// An import that notes its progress after each chunk: the body of a range
// over an iterator runs once per chunk.
func importChunks(ns *kv.Namespace, keys []string) error { // want importChunks:"kvhotkey"
	for chunk := range slices.Chunk(keys, 100) {
		for _, k := range chunk {
			if err := ns.PutString(k, "1", nil); err != nil {
				return err
			}
		}
		if err := ns.PutString("import:progress", chunk[len(chunk)-1], nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: a key per chunk.
func importNamed(ns *kv.Namespace, keys []string) error {
	for chunk := range slices.Chunk(keys, 100) {
		if err := ns.PutString("import:chunk:"+chunk[0], chunk[len(chunk)-1], nil); err != nil {
			return err
		}
	}
	return nil
}
