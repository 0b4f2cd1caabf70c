package kvrace

import (
	"errors"
	"net/http"
	"net/url"
)

// Markers written after a check of their key, where another answer
// decides the write: they record that answer, they claim nothing.

var errUnknownSlug = errors.New("unknown slug")

type tracker struct {
	st *kvDocs
	hc *http.Client
}

func (t *tracker) remember(slug string) {
	_ = t.st.Put("unknown:"+slug, []byte("1"))
}

// Quiet: the slug is remembered as unknown when its status is missing.
func (t *tracker) view(slug string) ([]byte, error) {
	if _, err := t.st.Get("unknown:" + slug); err == nil {
		return nil, errUnknownSlug
	}
	status, err := t.st.Get("status:" + slug)
	if errors.Is(err, errNoDoc) {
		t.remember(slug)
		return nil, errUnknownSlug
	}
	return status, err
}

// Quiet: the back-off marker is written when the upstream says 429.
func (t *tracker) geocode(addr string) error {
	if _, err := t.st.Get("backoff:geo"); err == nil {
		return errors.New("backing off")
	}
	resp, err := t.hc.Get("https://geo.example/?q=" + url.QueryEscape(addr))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		return t.st.Put("backoff:geo", []byte(addr))
	}
	return nil
}

// A claim whose free key is all that decides the write.
func (t *tracker) claimSlug(slug, owner string) error {
	if _, err := t.st.Get("slug:" + slug); err == nil {
		return errors.New("taken")
	}
	return t.st.Put("slug:"+slug, []byte(owner)) // want `check-then-create on one KV key`
}
