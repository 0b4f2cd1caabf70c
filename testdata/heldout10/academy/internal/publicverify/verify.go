// Package publicverify backs verify.academy.example.com, where employers
// check a certificate. It runs as its own small service and reads the
// public namespace over the KV REST API, without the SDK.
package publicverify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const kvAPI = "https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s"

// bearer adds the API token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

type Service struct {
	hc   *http.Client
	base string
}

func New(accountID, namespaceID, token string) *Service {
	return &Service{
		hc:   &http.Client{Timeout: 10 * time.Second, Transport: bearer{token: token, next: http.DefaultTransport}},
		base: fmt.Sprintf(kvAPI, accountID, namespaceID),
	}
}

func (s *Service) valueURL(key string) string { return s.base + "/values/" + url.PathEscape(key) }

// do sends a request straight from http.NewRequestWithContext and fails on non-2xx.
func (s *Service) do(req *http.Request, err error) (*http.Response, error) {
	if err != nil {
		return nil, err
	}
	resp, err := s.hc.Do(req)
	if err == nil && resp.StatusCode/100 != 2 {
		resp.Body.Close()
		err = fmt.Errorf("kv %s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return resp, err
}

type PublicCert struct {
	Serial   string    `json:"serial"`
	Learner  string    `json:"learner_name"`
	Course   string    `json:"course_title"`
	Grade    string    `json:"grade"`
	IssuedAt time.Time `json:"issued_at"`
}

// Lookup returns the certificate shown on the verification page.
func (s *Service) Lookup(ctx context.Context, certKey string) (PublicCert, error) {
	resp, err := s.hc.Get(s.valueURL(certKey)) // EXPECT kvnull
	if err != nil {
		return PublicCert{}, err
	}
	defer resp.Body.Close()
	var c PublicCert
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return PublicCert{}, fmt.Errorf("decode %s: %w", certKey, err)
	}
	if err := s.countHit(ctx, certKey); err != nil {
		log.Printf("verify: hit not counted for %s: %v", certKey, err) // informational only
	}
	return c, nil
}

// countHit keeps the "verified N times" number shown to the learner.
func (s *Service) countHit(ctx context.Context, certKey string) error {
	key := "hits:verify:" + certKey
	resp, err := s.hc.Get(s.valueURL(key))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	n := 0
	switch resp.StatusCode {
	case http.StatusOK:
		if n, err = strconv.Atoi(strings.TrimSpace(string(body))); err != nil {
			return err
		}
	case http.StatusNotFound:
	default:
		return fmt.Errorf("kv get %s: %s", key, resp.Status)
	}
	resp, err = s.do(http.NewRequestWithContext(ctx, http.MethodPut, s.valueURL(key), strings.NewReader(strconv.Itoa(n+1)))) // EXPECT kvcounter
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type keysPage struct {
	Result     []struct{ Name string } `json:"result"`
	ResultInfo struct{ Cursor string } `json:"result_info"`
}

func (s *Service) listKeys(resp *http.Response, err error) ([]string, string, error) {
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	var p keysPage
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(p.Result))
	for _, k := range p.Result {
		names = append(names, k.Name)
	}
	return names, p.ResultInfo.Cursor, nil
}

// Recent returns a few recent certificates of an organisation for its
// public showcase, with the cursor for the "more" link.
func (s *Service) Recent(ctx context.Context, org, cursor string) ([]string, string, error) {
	q := url.Values{"prefix": {"cert:" + org + ":"}}
	q.Set("limit", "5") // EXPECT kvlimits
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return s.listKeys(s.do(http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/keys?"+q.Encode(), nil)))
}

// OrgSerials lists the certificate keys of an organisation; the bulk
// verification CSV upload uses it to tell which serials exist.
func (s *Service) OrgSerials(ctx context.Context, org string) (map[string]bool, error) {
	resp, err := s.do(http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/keys?prefix="+url.QueryEscape("cert:"+org+":"), nil)) // EXPECT kvlist
	names, _, err := s.listKeys(resp, err)
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, err
}

// PublishCard makes a rendered share card public until the given time.
func (s *Service) PublishCard(ctx context.Context, slug string, card []byte, until time.Time) error {
	q := url.Values{}
	q.Set("expiration", strconv.FormatInt(until.UnixMilli(), 10)) // EXPECT kvttl
	resp, err := s.do(http.NewRequestWithContext(ctx, http.MethodPut, s.valueURL("card:"+slug)+"?"+q.Encode(), bytes.NewReader(card)))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
