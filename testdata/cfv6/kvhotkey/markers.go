package kvhotkey

import (
	"context"
	"errors"
	"log"
	"net/http"
	"strconv"
	"time"
)

var errThrottled = errors.New("upstream throttled")

// retryAfter asks the upstream for one feed, and says how long it wants
// to be left alone.
func retryAfter(ctx context.Context, source, feed string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+source+"/feeds/"+feed, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0, nil
	}
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return time.Duration(secs) * time.Second, nil
}

// backOff records that a source throttles, and fails with errThrottled.
func (s *syncer) backOff(ctx context.Context, source string, d time.Duration) error {
	if err := s.put(ctx, "backoff:"+source, d.String()); err != nil {
		return err
	}
	return errThrottled
}

func (s *syncer) pull(ctx context.Context, source, feed string) error {
	wait, err := retryAfter(ctx, source, feed)
	if err != nil {
		return err
	}
	if wait > 0 {
		return s.backOff(ctx, source, wait)
	}
	return nil
}

// Quiet: a throttled source ends the loop over its feeds, so its marker
// is written once a run.
func (s *syncer) pullAll(ctx context.Context, source string, feeds []string) {
	for _, feed := range feeds {
		err := s.pull(ctx, source, feed)
		switch {
		case errors.Is(err, errThrottled):
			return
		case err != nil:
			log.Printf("%s/%s: %v", source, feed, err)
		}
	}
}

// The loop goes on past a throttled feed: the source's marker is written
// again for each of its feeds.
func (s *syncer) pullEach(ctx context.Context, source string, feeds []string) { // want pullEach:"kvhotkey"
	for _, feed := range feeds {
		if err := s.pull(ctx, source, feed); err != nil { // want `this loop writes the same KV key on every iteration`
			log.Printf("%s/%s: %v", source, feed, err)
		}
	}
}
