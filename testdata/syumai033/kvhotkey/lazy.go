package kvhotkey

import (
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// A binding opened on first use: each checkpoints() is the same one.
var checkpoints = sync.OnceValue(func() *kv.Namespace {
	ns, err := kv.NewNamespace("CHECKPOINTS")
	if err != nil {
		panic(err)
	}
	return ns
})

func consumeBatch(ids []string) error { // want consumeBatch:"kvhotkey"
	for _, id := range ids {
		if err := checkpoints().PutString("consumer/last-message", id, nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: a key per message.
func markEach(ids []string) error {
	for _, id := range ids {
		if err := checkpoints().PutString("seen/"+id, "1", nil); err != nil {
			return err
		}
	}
	return nil
}
