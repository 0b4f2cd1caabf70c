package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

var errNoList = errors.New("catalog: store cannot list")

// AnyScheduledOn reports whether some event is due for publication on day.
func (s *Service) AnyScheduledOn(ctx context.Context, day time.Time) (bool, error) {
	l, ok := storage.AsLister(s.st)
	if !ok {
		return false, errNoList
	}
	prefix := keys.Schedule(day).String() + ":"
	for _, err := range storage.Keys(ctx, l, prefix) {
		if err != nil {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// Export writes up to limit events as JSON lines, for the organiser's
// download.
func (s *Service) Export(ctx context.Context, w io.Writer, limit int) error {
	l, ok := storage.AsLister(s.st)
	if !ok {
		return errNoList
	}
	enc := json.NewEncoder(w)
	for k, err := range storage.Take(storage.Keys(ctx, l, keys.PrefixEvent), limit) {
		if err != nil {
			return err
		}
		b, err := s.st.Get(ctx, k.Name) // EXPECT kvlist
		if storage.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if err := enc.Encode(json.RawMessage(b)); err != nil {
			return err
		}
	}
	return nil
}
