package ghapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// BrokerMinter asks the platform's token broker, which holds the app's
// private key, for installation tokens.
type BrokerMinter struct {
	URL  string
	HTTP *http.Client
}

// Mint implements Minter.
func (m *BrokerMinter) Mint(ctx context.Context, installationID int64, repos []string) (string, time.Time, error) {
	body, _ := json.Marshal(map[string]any{"installation_id": installationID, "repositories": repos})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/installation-tokens", strings.NewReader(string(body)))
	if err != nil {
		return "", time.Time{}, err
	}
	res, err := m.HTTP.Do(req)
	if err != nil {
		return "", time.Time{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return "", time.Time{}, fmt.Errorf("token broker: %s", res.Status)
	}
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	err = json.NewDecoder(res.Body).Decode(&out)
	return out.Token, out.ExpiresAt, err
}

// Exchange trades a dashboard OAuth code for the GitHub user, through the
// same broker.
func (m *BrokerMinter) Exchange(ctx context.Context, code string) (string, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/oauth/exchange?code="+code, nil)
	if err != nil {
		return "", 0, err
	}
	res, err := m.HTTP.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	var user struct {
		Login string `json:"login"`
		ID    int64  `json:"id"`
	}
	err = json.NewDecoder(res.Body).Decode(&user)
	return user.Login, user.ID, err
}
