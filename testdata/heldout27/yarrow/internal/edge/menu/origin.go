package menu

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/yarrow/internal/domain"
)

// HTTPOrigin fetches menus from the backend catalog API.
type HTTPOrigin struct {
	base   *url.URL
	client *http.Client
	token  string
}

// NewHTTPOrigin returns an origin for the catalog API at base.
func NewHTTPOrigin(base, token string) (*HTTPOrigin, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("menu: catalog URL: %w", err)
	}
	return &HTTPOrigin{base: u, token: token, client: &http.Client{Timeout: 5 * time.Second}}, nil
}

// FetchMenu implements Origin.
func (o *HTTPOrigin) FetchMenu(ctx context.Context, r domain.RestaurantID) (*domain.Menu, error) {
	u := o.base.JoinPath("catalog", "menus", string(r))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	res, err := o.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("menu: catalog answered %s for %s", res.Status, r)
	}
	var m domain.Menu
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("menu: catalog %s: %w", r, err)
	}
	m.Restaurant = r
	return &m, nil
}
