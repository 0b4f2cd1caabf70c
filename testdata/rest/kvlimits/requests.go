package kvlimits

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// A tenantClient that builds a request in one helper and sends it in another,
// with the namespace's URL from a helper that may fail, and the query of
// a listing given by the caller.
type tenantClient struct {
	hc         *http.Client
	base       string
	namespaces map[string]string
}

func (c *tenantClient) nsURL(logical string) (string, error) {
	id, ok := c.namespaces[logical]
	if !ok {
		return "", fmt.Errorf("no namespace %q", logical)
	}
	return fmt.Sprintf("%s/storage/kv/namespaces/%s", c.base, id), nil
}

func (c *tenantClient) request(ctx context.Context, method, logical, path string) (*http.Request, error) {
	ns, err := c.nsURL(logical)
	if err != nil {
		return nil, err
	}
	return http.NewRequestWithContext(ctx, method, ns+path, nil)
}

func (c *tenantClient) send(req *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return resp, nil
}

func (c *tenantClient) listKeys(ctx context.Context, logical string, q url.Values) (io.ReadCloser, error) {
	u := url.URL{Path: "/keys", RawQuery: q.Encode()}
	req, err := c.request(ctx, http.MethodGet, logical, u.String())
	if err != nil {
		return nil, err
	}
	resp, err := c.send(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func (c *tenantClient) probe(ctx context.Context) error {
	body, err := c.listKeys(ctx, "sessions", url.Values{"limit": {"1"}}) // want `the KV REST API refuses a list Limit below 10, and this one is 1`
	if err != nil {
		return err
	}
	return body.Close()
}

// Quiet: a page size the API takes, and a query with no limit.
func (c *tenantClient) firstPage(ctx context.Context, prefix string) (io.ReadCloser, error) {
	return c.listKeys(ctx, "sessions", url.Values{"limit": {"10"}, "prefix": {prefix}})
}

func (c *tenantClient) all(ctx context.Context, cursor string) (io.ReadCloser, error) {
	return c.listKeys(ctx, "sessions", url.Values{"cursor": {cursor}})
}
