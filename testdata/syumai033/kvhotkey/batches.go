package kvhotkey

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/itemkv"
)

// Quiet: a closure flushes what the loop appends to the batch, a key per
// row, each time the batch is full.
func importRows(ns *kv.Namespace, rows []string) error {
	batch := make([]itemkv.Item, 0, 100)
	flush := func() error {
		err := itemkv.PutAll(ns, batch...)
		batch = batch[:0]
		return err
	}
	for _, row := range rows {
		batch = append(batch, itemkv.Item{Key: "row:" + row, Value: row})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Quiet: the items a loop appends, written in chunks: a key per item.
func publishDays(ns *kv.Namespace, days []string) error {
	items := make([]itemkv.Item, 0, len(days))
	for _, d := range days {
		items = append(items, itemkv.Item{Key: "day:" + d, Value: d})
	}
	for len(items) > 0 {
		n := min(100, len(items))
		if err := itemkv.PutAll(ns, items[:n]...); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}
