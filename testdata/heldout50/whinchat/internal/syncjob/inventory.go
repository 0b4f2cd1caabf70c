// Package syncjob copies the ERP inventory into the export namespace that
// partner portals read, and reconciles what is there against the inventory.
package syncjob

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Item is one device as the ERP knows it.
type Item struct {
	Tenant       string    `json:"tenant"`
	DeviceID     string    `json:"device_id"`
	Serial       string    `json:"serial"`
	Model        string    `json:"model"`
	Site         string    `json:"site"`
	AgentVersion int       `json:"agent_version"`
	Shipped      time.Time `json:"shipped"`
}

// Name is the item's key relative to the snapshot bucket.
func (it Item) Name() string { return it.Tenant + "/" + it.DeviceID }

// LoadInventory reads the nightly ERP dump.
func LoadInventory(path string) ([]Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var items []Item
	if err := json.NewDecoder(f).Decode(&items); err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	return items, nil
}

// exportNotice travels with every export manifest; partner portals show it
// next to the download link.
const exportNotice = "This export contains device inventory data supplied by Whinchat Fleet Services " +
	"for the sole purpose of operating, maintaining and supporting the devices listed in it. " +
	"Recipients must process the data in accordance with the data processing agreement in force " +
	"between Whinchat and the recipient's organisation, must not combine it with other data sets " +
	"to identify natural persons, and must delete it when the export expires or when the business " +
	"relationship ends, whichever is earlier. Serial numbers, site identifiers and agent versions " +
	"are confidential and may only be disclosed to sub-processors that are bound by equivalent " +
	"obligations. Device locations are approximate and must not be used for safety-critical " +
	"purposes. Questions about this export, requests for correction and notices of suspected " +
	"unauthorised access must be sent to privacy@whinchat.example within 72 hours of discovery. " +
	"By downloading this export the recipient confirms that it has read and accepts these terms " +
	"and that it has appointed a contact responsible for their observance within its organisation. " +
	"Export format version 3; fields are described in the partner integration guide, section 4.2."
