package apikeys

import (
	"context"
	"encoding/binary"
	"strings"

	"sanderling/internal/kvstore"
)

// FullAccess is the scope string given to keys created with scope "*".
const FullAccess = "accounts:read accounts:write members:read members:write billing:read billing:write " +
	"keys:read keys:write projects:read projects:write deployments:read deployments:write domains:read " +
	"domains:write certificates:read certificates:write secrets:read secrets:write env:read env:write " +
	"logs:read logs:write metrics:read metrics:write webhooks:read webhooks:write builds:read builds:write " +
	"artifacts:read artifacts:write queues:read queues:write databases:read databases:write buckets:read " +
	"buckets:write functions:read functions:write audit:read audit:write keys:rotate keys:revoke " +
	"members:invite billing:export deployments:rollback secrets:reveal audit:export databases:backup " +
	"buckets:acl functions:invoke"

// PublishFullAccess writes the permission mask of FullAccess to the cache
// namespace, where the edge gateway looks masks up by scope string.
func (s *Service) PublishFullAccess(ctx context.Context) error {
	var mask uint64
	for i := range strings.Fields(FullAccess) {
		mask |= 1 << i
	}
	return s.cache.Put(ctx, kvstore.Key("perm").Child(FullAccess), binary.BigEndian.AppendUint64(nil, mask), kvstore.PutOptions{}) // EXPECT kvlimits
}
