package accounts

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/wren/internal/keys"
)

// CardRecord is a registered RFID card as the edge reads it.
type CardRecord struct {
	UID      string    `json:"uid"`
	DriverID string    `json:"driver_id"`
	Status   string    `json:"status"`
	ValidTo  time.Time `json:"valid_to,omitzero"`
}

// CardRegistry keeps RFID cards in the CARDS namespace the worker reads.
type CardRegistry struct {
	values    *kv.NamespaceValueService
	accountID string
	namespace string
}

// NewCardRegistry returns a CardRegistry.
func NewCardRegistry(values *kv.NamespaceValueService, accountID, namespace string) *CardRegistry {
	return &CardRegistry{values: values, accountID: accountID, namespace: namespace}
}

var (
	ErrCardClaimed = errors.New("accounts: card already registered")
	ErrCardUnknown = errors.New("accounts: card not registered")
)

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func cardKey(uidHex string) (string, string, error) {
	uid, err := hex.DecodeString(strings.TrimSpace(uidHex))
	if err != nil || len(uid) < 4 || len(uid) > 10 {
		return "", "", errors.New("accounts: malformed card UID")
	}
	return keys.Card(uid), strings.ToUpper(hex.EncodeToString(uid)), nil
}

// Lookup returns the card with uidHex.
func (r *CardRegistry) Lookup(ctx context.Context, uidHex string) (CardRecord, error) {
	key, _, err := cardKey(uidHex)
	if err != nil {
		return CardRecord{}, err
	}
	resp, err := r.values.Get(ctx, r.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	if notFound(err) {
		return CardRecord{}, ErrCardUnknown
	}
	if err != nil {
		return CardRecord{}, err
	}
	defer resp.Body.Close()
	var c CardRecord
	err = json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&c)
	return c, err
}

// Claim registers a card for driverID. A card can belong to one driver.
func (r *CardRegistry) Claim(ctx context.Context, driverID, uidHex string) (CardRecord, error) {
	key, uid, err := cardKey(uidHex)
	if err != nil {
		return CardRecord{}, err
	}
	resp, err := r.values.Get(ctx, r.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	switch {
	case err == nil:
		resp.Body.Close()
		return CardRecord{}, ErrCardClaimed
	case !notFound(err):
		return CardRecord{}, err
	}
	c := CardRecord{UID: uid, DriverID: driverID, Status: "Accepted", ValidTo: timeNow().AddDate(3, 0, 0).UTC()}
	b, err := json.Marshal(c)
	if err != nil {
		return CardRecord{}, err
	}
	_, err = r.values.Update(ctx, r.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		Metadata:  cloudflare.F[any](map[string]string{"driver": driverID}),
	})
	return c, err
}

// ClaimCard registers a card on the driver's account.
func (s *Service) ClaimCard(ctx context.Context, driverID, uidHex string) (CardRecord, error) {
	return s.cards.Claim(ctx, driverID, uidHex)
}
