package webhook

import (
	"context"
	"strings"

	"example.com/caravan/internal/storage"
)

// ReceiptNames calls fn with the key of every stored callback of carrier, for
// the dispute export.
func ReceiptNames(ctx context.Context, st storage.Store, carrier string, fn func(eventID string) error) error {
	l, ok := storage.As[storage.Lister](st)
	if !ok {
		return storage.ErrUnsupported
	}
	prefix := "cb:" + carrier + ":"
	cursor := ""
	for {
		page, err := l.List(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		for _, k := range page.Keys {
			if err := fn(strings.TrimPrefix(k.Name, prefix)); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
}
