// Package origin is the client for the integrated library system (ILS),
// the source of truth behind every cache in KV.
package origin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ILS calls the library system's JSON API.
type ILS struct {
	Base string
	HTTP *http.Client
}

// SearchResult is one page of catalogue hits.
type SearchResult struct {
	Query string   `json:"query"`
	Total int      `json:"total"`
	Hits  []Record `json:"hits"`
}

// Record is a bibliographic record.
type Record struct {
	ISBN    string   `json:"isbn"`
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	Year    int      `json:"year"`
	Format  string   `json:"format"`
}

// Hours is a branch's opening hours for one week.
type Hours struct {
	Branch string            `json:"branch"`
	Week   string            `json:"week"`
	Days   map[string]string `json:"days"`
	Note   string            `json:"note,omitempty"`
}

func (c ILS) getJSON(ctx context.Context, path string, q url.Values, dst any) ([]byte, error) {
	u := c.Base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("ils %s: %s", path, res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if dst != nil {
		if err := json.Unmarshal(body, dst); err != nil {
			return nil, fmt.Errorf("ils %s: %w", path, err)
		}
	}
	return body, nil
}

// Search runs a catalogue search at one branch.
func (c ILS) Search(ctx context.Context, branch, query string, page int) (SearchResult, []byte, error) {
	var res SearchResult
	q := url.Values{"q": {query}, "branch": {branch}, "page": {strconv.Itoa(page)}}
	body, err := c.getJSON(ctx, "/v2/search", q, &res)
	return res, body, err
}

// Browse runs a faceted query string as-is.
func (c ILS) Browse(ctx context.Context, rawQuery string) ([]byte, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	return c.getJSON(ctx, "/v2/browse", q, nil)
}

// Item fetches one record.
func (c ILS) Item(ctx context.Context, isbn string) (Record, []byte, error) {
	var rec Record
	body, err := c.getJSON(ctx, "/v2/items/"+url.PathEscape(isbn), nil, &rec)
	return rec, body, err
}

// WeekHours fetches the opening hours of a branch for the week of t.
func (c ILS) WeekHours(ctx context.Context, branch string, t time.Time) (Hours, []byte, error) {
	var h Hours
	y, w := t.ISOWeek()
	q := url.Values{"week": {fmt.Sprintf("%04d-W%02d", y, w)}}
	body, err := c.getJSON(ctx, "/v2/branches/"+url.PathEscape(branch)+"/hours", q, &h)
	return h, body, err
}

// Branches lists branch codes.
func (c ILS) Branches(ctx context.Context) ([]string, error) {
	var out []string
	_, err := c.getJSON(ctx, "/v2/branches", nil, &out)
	return out, err
}
