package cfkv2

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// ErrSoldOut is returned when no room of the requested type is left.
var ErrSoldOut = errors.New("sold out")

// Inventory keeps the sellable rooms per room type and night.
type Inventory struct{ *Namespace }

// NewInventory wraps a namespace handle.
func NewInventory(n *Namespace) *Inventory { return &Inventory{n} }

func inventoryKey(propertyID, roomType, night string) string {
	return "inventory:" + propertyID + ":" + roomType + ":" + night
}

// Remaining returns the rooms left; nights never synced have none.
func (inv *Inventory) Remaining(ctx context.Context, propertyID, roomType, night string) (int, error) {
	b, err := inv.read(ctx, inventoryKey(propertyID, roomType, night))
	if errors.Is(err, ErrMiss) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Take sells one room of a type for a night.
func (inv *Inventory) Take(ctx context.Context, propertyID, roomType, night string) (int, error) {
	left, err := inv.Remaining(ctx, propertyID, roomType, night)
	if err != nil {
		return 0, err
	}
	if left <= 0 {
		return 0, ErrSoldOut
	}
	left--
	_, err = inv.values().Update(ctx, inv.id, url.PathEscape(inventoryKey(propertyID, roomType, night)), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(inv.account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(strconv.Itoa(left)),
	})
	return left, err
}

// Block parks a specific room while the guest enters payment details.
func (inv *Inventory) Block(ctx context.Context, propertyID, room, night, bookingID string) error {
	_, err := inv.client.KV.Namespaces.Bulk.Update(ctx, inv.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(inv.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("block:" + propertyID + ":" + room + ":" + night),
			Value:      cloudflare.F(bookingID),
			Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
		}},
	})
	return err
}
