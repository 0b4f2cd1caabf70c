package linkpreview

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var ogRE = regexp.MustCompile(`(?is)<meta\s+property=["']og:(title|description|image|site_name)["']\s+content=["']([^"']*)["']`)

// HTTPFetcher unfurls pages by reading their Open Graph tags.
type HTTPFetcher struct{ Client *http.Client }

// Fetch implements Fetcher.
func (f HTTPFetcher) Fetch(ctx context.Context, url string) (Preview, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Preview{}, 0, err
	}
	req.Header.Set("User-Agent", "RelayBot/1.0 (+https://relay.example.com/bot)")
	res, err := f.Client.Do(req)
	if err != nil {
		return Preview{}, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Preview{}, 0, fmt.Errorf("linkpreview: %s: %s", url, res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 512<<10))
	if err != nil {
		return Preview{}, 0, err
	}
	var p Preview
	for _, m := range ogRE.FindAllStringSubmatch(string(body), -1) {
		v := html.UnescapeString(strings.TrimSpace(m[2]))
		switch strings.ToLower(m[1]) {
		case "title":
			p.Title = v
		case "description":
			p.Description = v
		case "image":
			p.Image = v
		case "site_name":
			p.SiteName = v
		}
	}
	var maxAge time.Duration
	for _, part := range strings.Split(res.Header.Get("Cache-Control"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				maxAge = time.Duration(n) * time.Second
			}
		}
	}
	return p, maxAge, nil
}
