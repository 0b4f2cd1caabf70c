package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// HTTPFetcher returns a Fetcher that asks the flag service at base.
func HTTPFetcher(client *http.Client, base, token string) Fetcher {
	return func(ctx context.Context, tenant string) (Set, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/tenants/"+url.PathEscape(tenant)+"/flags", nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("flags: upstream status %d", resp.StatusCode)
		}
		var s Set
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
			return nil, err
		}
		return s, nil
	}
}
