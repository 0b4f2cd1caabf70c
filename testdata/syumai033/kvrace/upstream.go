package kvrace

import (
	"errors"
	"io"
	"net/http"
	"time"
)

var errUpstreamDown = errors.New("upstream down")

// fetchFeed remembers an upstream failure: the record is written when
// the fetch fails, not to claim the key.
func fetchFeed(rd *kvDocs, hc *http.Client, id, url string) ([]byte, error) {
	if _, err := rd.Get("feedfail:" + id); err == nil {
		return nil, errUpstreamDown
	}
	resp, err := hc.Get(url)
	if err != nil {
		_ = rd.Put("feedfail:"+id, []byte(err.Error()))
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// deliver backs off an endpoint that answered 429 or 503, however the
// answer is tested.
func deliver(rd *kvDocs, id string, send func() (int, time.Time, error)) error {
	if _, err := rd.Get("backoff:" + id); err == nil {
		return nil
	}
	code, until, err := send()
	if err != nil {
		return err
	}
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		return rd.Put("backoff:"+id, []byte(until.Format(time.RFC3339)))
	}
	return nil
}
