package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// cmsBaseURL is where templates are published; tests point it elsewhere.
var cmsBaseURL = func() string {
	if v := os.Getenv("KINGFISHER_CMS_URL"); v != "" {
		return v
	}
	return "https://cms.kingfisher.example"
}()

var cmsClient = &http.Client{Timeout: 5 * time.Second}

// fetchTemplate loads a template from the CMS and returns its body and the
// max-age the CMS allows it to be cached for.
func fetchTemplate(ctx context.Context, name, locale string) ([]byte, time.Duration, error) {
	u := fmt.Sprintf("%s/templates/%s/%s", cmsBaseURL, url.PathEscape(name), url.PathEscape(locale))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := cmsClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("cms %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, 0, err
	}
	return body, maxAge(resp.Header.Get("Cache-Control")), nil
}

func maxAge(cc string) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }
