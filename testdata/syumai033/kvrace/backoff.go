package kvrace

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

var errSyncing = errors.New("clinic syncing or backing off")

type slotsResult struct {
	slots      []string
	retryAfter time.Duration
}

// fetchSlots asks the practice system, and says how long it asked us to
// wait when it answered 429.
func fetchSlots(hc *http.Client, url string) (slotsResult, error) {
	resp, err := hc.Get(url)
	if err != nil {
		return slotsResult{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return slotsResult{retryAfter: time.Duration(secs) * time.Second}, nil
	}
	return slotsResult{}, nil
}

func retryValue[T any](attempts int, fn func() (T, error)) (T, error) {
	var v T
	var err error
	for range attempts {
		if v, err = fn(); err == nil {
			return v, nil
		}
	}
	return v, err
}

// A back-off marker written when the upstream, asked through a helper,
// said to wait: it records that answer, and claims nothing.
func syncClinic(rd *kvDocs, hc *http.Client, id, url string) error {
	if _, err := rd.Get("clinic-backoff:" + id); err == nil {
		return errSyncing
	}
	res, err := retryValue(3, func() (slotsResult, error) { return fetchSlots(hc, url) })
	if err != nil {
		return err
	}
	if res.retryAfter > 0 {
		return rd.Put("clinic-backoff:"+id, []byte(res.retryAfter.String()))
	}
	return nil
}

// A sync slot claimed once the upstream answered at all.
func claimClinic(rd *kvDocs, hc *http.Client, id, url, worker string) error {
	if _, err := rd.Get("clinic-sync:" + id); err == nil {
		return errSyncing
	}
	if _, err := retryValue(3, func() (slotsResult, error) { return fetchSlots(hc, url) }); err != nil {
		return err
	}
	return rd.Put("clinic-sync:"+id, []byte(worker)) // want `check-then-create on one KV key`
}
