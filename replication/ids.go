package replication

import (
	"crypto/rand"
	"encoding/hex"
)

// replIDLen is the length of a replication ID: 40 characters.
const replIDLen = 40

// zeroReplID is what Redis shows as master_replid2 when there is none.
const zeroReplID = "0000000000000000000000000000000000000000"

// newReplID returns a fresh random replication ID: 40 lower-case hex
// characters, as Redis's changeReplicationId makes.
func newReplID() string {
	var b [replIDLen / 2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// replIDs names the history a node serves: its replication ID and, after a
// promotion, the previous one and the first offset that is not shared with
// it (Redis's replid2 and second_replid_offset).
type replIDs struct {
	id     string
	id2    string // zeroReplID when there is none
	second int64  // -1 when there is no id2
}

func freshIDs() replIDs { return replIDs{id: newReplID(), id2: zeroReplID, second: -1} }

// canContinue reports whether a follower that asks to continue history id
// from offset (the first byte it lacks) may, as far as IDs go
// (masterTryPartialResynchronization).
func (ids replIDs) canContinue(id string, offset int64) bool {
	if id == ids.id {
		return true
	}
	return ids.second >= 0 && id == ids.id2 && offset <= ids.second
}

// shift is Redis's shiftReplicationId: the current history becomes the
// secondary one, valid for offsets up to offset+1, and a new one starts.
func (ids replIDs) shift(offset int64) replIDs {
	return replIDs{id: newReplID(), id2: ids.id, second: offset + 1}
}
