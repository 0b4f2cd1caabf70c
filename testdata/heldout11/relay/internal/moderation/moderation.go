// Package moderation keeps per-workspace moderation lists: banned users,
// blocked words, abuse reports and revoked API tokens. It calls the Workers
// KV REST API directly because the trust-and-safety tooling vendors it
// without the rest of the service.
package moderation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const kvNamespaceURL = "https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s"

const revokedTTL = 30 * 24 * time.Hour

// Ban records why and until when a user is banned.
type Ban struct {
	UserID string    `json:"user_id"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	Until  time.Time `json:"until,omitempty"`
}

// Report is an abuse report as listed for moderators.
type Report struct {
	Key, Reason, Reporter string
}

// Lists is the moderation store for one KV namespace.
type Lists struct {
	HTTP      *http.Client
	AccountID string
	Namespace string
	Token     string
}

type listResponse struct {
	Result []struct {
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
	} `json:"result"`
	ResultInfo struct {
		Cursor string `json:"cursor"`
	} `json:"result_info"`
}

func (l *Lists) url(suffix string) string {
	return fmt.Sprintf(kvNamespaceURL, l.AccountID, l.Namespace) + suffix
}

func valuePath(key string) string { return "/values/" + url.PathEscape(key) }

func (l *Lists) send(ctx context.Context, method, u string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+l.Token)
	return l.HTTP.Do(req)
}

func expectOK(res *http.Response, what string) error {
	defer res.Body.Close()
	if res.StatusCode/100 == 2 {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	return fmt.Errorf("moderation: %s: %s: %s", what, res.Status, bytes.TrimSpace(b))
}

func banKey(ws, user string) string { return "mod:" + ws + ":ban:" + user }
func wordsKey(ws string) string     { return "mod:" + ws + ":words" }

// BanUser bans a user from the workspace, permanently or until b.Until.
func (l *Lists) BanUser(ctx context.Context, ws string, b Ban) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	u := l.url(valuePath(banKey(ws, b.UserID)))
	if !b.Until.IsZero() {
		if time.Until(b.Until) < time.Hour {
			return fmt.Errorf("moderation: temporary bans must last at least an hour")
		}
		u += "?expiration=" + strconv.FormatInt(b.Until.Unix(), 10)
	}
	res, err := l.send(ctx, http.MethodPut, u, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return expectOK(res, "ban")
}

// BanOf returns the user's ban, or nil if they are not banned.
func (l *Lists) BanOf(ctx context.Context, ws, user string) (*Ban, error) {
	res, err := l.send(ctx, http.MethodGet, l.url(valuePath(banKey(ws, user))), nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var b Ban
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("moderation: ban record for %s: %w", user, err)
	}
	return &b, nil
}

// BannedUsers returns the ids of every banned user in the workspace.
func (l *Lists) BannedUsers(ctx context.Context, ws string) ([]string, error) {
	prefix := "mod:" + ws + ":ban:"
	var out []string
	cursor := ""
	for {
		q := url.Values{"prefix": {prefix}, "limit": {"1000"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		res, err := l.send(ctx, http.MethodGet, l.url("/keys?"+q.Encode()), nil) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		var lr listResponse
		err = json.NewDecoder(res.Body).Decode(&lr)
		res.Body.Close()
		if err != nil {
			return out, err
		}
		if len(lr.Result) == 0 {
			break
		}
		for _, k := range lr.Result {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		if cursor = lr.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return out, nil
}

func (l *Lists) readWords(ctx context.Context, ws string) (string, error) {
	res, err := l.send(ctx, http.MethodGet, l.url(valuePath(wordsKey(ws))), nil)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return "", nil
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("moderation: blocked words: %s", res.Status)
	}
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// BlockWord adds word to the workspace's blocked-word list.
func (l *Lists) BlockWord(ctx context.Context, ws, word string) error {
	word = strings.ToLower(strings.TrimSpace(word))
	cur, err := l.readWords(ctx, ws)
	if err != nil {
		return err
	}
	for _, w := range strings.Fields(cur) {
		if w == word {
			return nil
		}
	}
	next := strings.TrimSpace(cur + "\n" + word)
	res, err := l.send(ctx, http.MethodPut, l.url(valuePath(wordsKey(ws))), strings.NewReader(next)) // EXPECT kvrace
	if err != nil {
		return err
	}
	return expectOK(res, "block word")
}

func (l *Lists) reports(ctx context.Context, ws, cursor string, limit int) ([]Report, string, error) {
	q := url.Values{"prefix": {"mod:" + ws + ":report:"}, "limit": {strconv.Itoa(limit)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	res, err := l.send(ctx, http.MethodGet, l.url("/keys?"+q.Encode()), nil)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("moderation: list reports: %s", res.Status)
	}
	var lr listResponse
	if err := json.NewDecoder(res.Body).Decode(&lr); err != nil {
		return nil, "", err
	}
	out := make([]Report, 0, len(lr.Result))
	for _, k := range lr.Result {
		out = append(out, Report{Key: k.Name, Reason: k.Metadata["reason"], Reporter: k.Metadata["reporter"]})
	}
	return out, lr.ResultInfo.Cursor, nil
}

// Reports returns one page of the moderation queue and the next cursor.
func (l *Lists) Reports(ctx context.Context, ws, cursor string) ([]Report, string, error) {
	return l.reports(ctx, ws, cursor, 50)
}

// LatestReports feeds the "recent reports" card on the admin dashboard.
func (l *Lists) LatestReports(ctx context.Context, ws string) ([]Report, error) {
	rs, _, err := l.reports(ctx, ws, "",
		5) // EXPECT kvlimits
	return rs, err
}

// RevokeToken puts an API token id on the revocation list the API gateway
// checks on every request.
func (l *Lists) RevokeToken(ctx context.Context, tokenID, by string) error {
	u := l.url(valuePath("mod:revoked:"+tokenID)) + "?expiration_ttl=" + strconv.Itoa(int(revokedTTL.Seconds()))
	res, err := l.send(ctx, http.MethodPut, u, strings.NewReader(by)) // EXPECT kvsession
	if err != nil {
		return err
	}
	return expectOK(res, "revoke token")
}
