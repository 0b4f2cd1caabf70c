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

// Quiet: an unknown slug remembered, written only when the parcel's
// status, read for the page, is not there.
func (t *tracker) page(slug string) (string, error) {
	if _, err := t.st.Get("unknown:" + slug); err == nil {
		return "", errors.New("unknown")
	}
	status, err := t.st.Get("status:" + slug)
	if err != nil {
		t.rememberUnknown(slug)
		return "", errors.New("unknown")
	}
	return "status: " + string(status), nil
}

func (t *tracker) rememberUnknown(slug string) {
	_ = t.st.Put("unknown:"+slug, []byte("1"))
}

// A claim made once another name is found free: that check's miss leads
// on to the claim.
func (t *tracker) register(user, email string) error {
	if _, err := t.st.Get("user:" + user); err == nil {
		return errors.New("user taken")
	}
	if _, err := t.st.Get("email:" + email); err == nil {
		return errors.New("email taken")
	}
	return t.st.Put("user:"+user, []byte("1")) // want `check-then-create on one KV key`
}
