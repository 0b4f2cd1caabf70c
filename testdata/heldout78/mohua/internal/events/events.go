// Package events defines the domain events passed between the indexer and the
// services that react to them, and the registry of topics that carries them.
package events

import (
	"context"
	"math/big"

	"github.com/mohua-labs/mohua/internal/chain"
	"github.com/mohua-labs/mohua/internal/pubsub"
)

// Transfer is an indexed token transfer.
type Transfer struct {
	Ctx      context.Context
	ChainID  uint64
	Contract chain.Address
	Event    *chain.TokenTransfer
}

// Reorg announces that blocks from Fork (inclusive) up to Head were orphaned.
type Reorg struct {
	ChainID uint64
	Fork    uint64
	Head    uint64
}

// BalanceChanged is published after a balance record was updated.
type BalanceChanged struct {
	ChainID  uint64
	Contract string
	Holder   string
	Delta    *big.Int
	TxHash   string
}

// MetadataStale asks the metadata cache to refresh a token.
type MetadataStale struct {
	ChainID  uint64
	Contract string
	TokenID  string
}

// Registry holds the topics of one process.
type Registry struct {
	Transfers      *pubsub.Topic[Transfer]
	Reorgs         *pubsub.Topic[Reorg]
	BalanceChanged *pubsub.Topic[BalanceChanged]
	MetadataStale  *pubsub.Topic[MetadataStale]
}

// NewRegistry creates all topics.
func NewRegistry() *Registry {
	return &Registry{
		Transfers:      pubsub.NewTopic[Transfer]("transfers"),
		Reorgs:         pubsub.NewTopic[Reorg]("reorgs"),
		BalanceChanged: pubsub.NewTopic[BalanceChanged]("balance-changed"),
		MetadataStale:  pubsub.NewTopic[MetadataStale]("metadata-stale"),
	}
}
