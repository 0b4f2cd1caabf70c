// Package badges prints attendee badges and counts badge scans at session
// doors. It is one of the older services and still uses cloudflare-go v3.
package badges

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/lattice/internal/conf"
)

// Badge is what gets printed.
type Badge struct {
	Attendee    conf.AttendeeID   `json:"attendee"`
	Conference  conf.ConferenceID `json:"conference"`
	Name        string            `json:"name"`
	Affiliation string            `json:"affiliation"`
	Pronouns    string            `json:"pronouns,omitempty"`
	Ribbon      string            `json:"ribbon,omitempty"`
}

// Service talks to the badges namespace with the v3 client.
type Service struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

// New builds the service.
func New(client *cloudflare.Client, accountID, namespaceID string) *Service {
	return &Service{client: client, accountID: accountID, namespaceID: namespaceID}
}

func badgeKey(a conf.AttendeeID) string { return "badge:" + string(a) }

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Save stores a badge for a week after the conference ends.
func (s *Service) Save(ctx context.Context, b Badge) error {
	body, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, badgeKey(b.Attendee), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(body)),
		Metadata:  cloudflare.F(`{"conference":"` + string(b.Conference) + `"}`),
	}, option.WithQuery("expiration_ttl", strconv.Itoa(21*24*3600)))
	return err
}

// Lookup returns a badge.
func (s *Service) Lookup(ctx context.Context, a conf.AttendeeID) (Badge, bool, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, badgeKey(a), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if notFound(err) {
		return Badge{}, false, nil
	}
	if err != nil {
		return Badge{}, false, err
	}
	defer res.Body.Close()
	var b Badge
	if err := json.NewDecoder(res.Body).Decode(&b); err != nil {
		return Badge{}, false, err
	}
	return b, true, nil
}

// Scan counts one badge scan at a session door, for room-size planning.
func (s *Service) Scan(ctx context.Context, room string, slot string) (int, error) {
	key := "scans:" + room + ":" + slot
	count := 0
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(s.accountID),
	})
	if err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		count, _ = strconv.Atoi(string(body))
	}
	count++
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(strconv.Itoa(count)),
		Metadata:  cloudflare.F(`{}`),
	})
	return count, err
}

// PrintJob is a batch sent to the on-site printer.
type PrintJob struct {
	Station string
	Badges  []Badge
}

// Print sends a job to the printer and records progress so a jammed printer
// can resume where it stopped.
func (s *Service) Print(ctx context.Context, job PrintJob, print func(Badge) error) error {
	for i, b := range job.Badges {
		if err := print(b); err != nil {
			return fmt.Errorf("badge %d (%s): %w", i, b.Attendee, err)
		}
		_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, "print:progress:"+job.Station, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(s.accountID),
			Value:     cloudflare.F(strconv.Itoa(i + 1)),
			Metadata:  cloudflare.F(`{}`),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
