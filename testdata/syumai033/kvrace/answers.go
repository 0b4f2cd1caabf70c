package kvrace

import (
	"errors"
	"net/http"
	"net/url"
)

// A marker written after a check of its key, where an upstream's answer
// decides the write: it records that answer, it claims nothing.

type tracker struct {
	st *kvDocs
	hc *http.Client
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
