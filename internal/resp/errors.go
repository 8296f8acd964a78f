package resp

import "errors"

// ErrProtocol is matched (with errors.Is) by every error that reports
// malformed RESP input. The concrete error is a *[ProtocolError] that carries
// the reason.
var ErrProtocol = errors.New("resp: protocol error")

// Reasons for protocol errors. The first ones are the texts Redis 7.0 itself
// sends after "-ERR Protocol error: " when it rejects a request; the others
// cover cases Redis does not check (it is lenient about bulk terminators) or
// that only occur when reading replies.
const (
	ReasonInvalidMultibulkLength = "invalid multibulk length"
	ReasonInvalidBulkLength      = "invalid bulk length"
	ReasonTooBigInline           = "too big inline request"
	ReasonTooBigMultibulkCount   = "too big mbulk count string"
	ReasonTooBigBulkCount        = "too big bulk count string"
	ReasonUnbalancedQuotes       = "unbalanced quotes in request"

	ReasonBulkTerminator  = "expected CRLF after bulk data"
	ReasonLineTerminator  = "expected CRLF at end of line"
	ReasonTooBigLine      = "too big line"
	ReasonInvalidInteger  = "invalid integer"
	ReasonInvalidSimple   = "CR inside simple string"
	ReasonTooDeep         = "too deeply nested array"
	ReasonInvalidPayload  = "invalid payload header"
	reasonExpectedDollar  = "expected '$', got '"
	reasonUnknownTypeByte = "got '"
)

// ProtocolError reports malformed input. Reason is the text Redis uses for
// the same fault where Redis has one, such as "invalid bulk length" or
// "expected '$', got 'x'".
type ProtocolError struct {
	Reason string
}

// Error returns "resp: protocol error: " followed by the reason.
func (e *ProtocolError) Error() string { return "resp: protocol error: " + e.Reason }

// Is reports whether target is ErrProtocol.
func (e *ProtocolError) Is(target error) bool { return target == ErrProtocol }

func protoErr(reason string) error { return &ProtocolError{Reason: reason} }

// expectedDollar builds Redis's "expected '$', got 'c'" reason; the byte is
// inserted raw, as Redis's %c does.
func expectedDollar(c byte) error {
	return protoErr(reasonExpectedDollar + string([]byte{c}) + "'")
}

// unknownType builds "got 'c' as reply type byte", after hiredis's wording.
func unknownType(c byte) error {
	return protoErr(reasonUnknownTypeByte + string([]byte{c}) + "' as reply type byte")
}
