package store

// The commands a Pipeline can queue, each as its Store method.

// Get queues [Store.Get].
func (p *Pipeline) Get(key string) *Result[Value] {
	return queueValue(p, func(t *Tx) (string, bool, error) { return t.Get(key) }, key)
}

// Set queues [Store.Set]; its result is "OK".
func (p *Pipeline) Set(key, val string) *Result[string] {
	return queueOK(p, func(t *Tx) error { return t.Set(key, val) }, key)
}

// SetArgs queues [Store.SetArgs]; its result is (prev, ok) as a Value.
func (p *Pipeline) SetArgs(key, val string, a SetArgs) *Result[Value] {
	return queueValue(p, func(t *Tx) (string, bool, error) { return t.SetArgs(key, val, a) }, key)
}

// SetNX queues [Store.SetNX].
func (p *Pipeline) SetNX(key, val string) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.SetNX(key, val) }, key)
}

// GetDel queues [Store.GetDel].
func (p *Pipeline) GetDel(key string) *Result[Value] {
	return queueValue(p, func(t *Tx) (string, bool, error) { return t.GetDel(key) }, key)
}

// GetEx queues [Store.GetEx].
func (p *Pipeline) GetEx(key string, a GetExArgs) *Result[Value] {
	return queueValue(p, func(t *Tx) (string, bool, error) { return t.GetEx(key, a) }, key)
}

// MGet queues [Store.MGet].
func (p *Pipeline) MGet(keys ...string) *Result[[]Value] {
	return queue(p, func(t *Tx) ([]Value, error) { return t.MGet(keys...) }, keys...)
}

// MSet queues [Store.MSet]; its result is "OK".
func (p *Pipeline) MSet(pairs ...string) *Result[string] {
	return queueOK(p, func(t *Tx) error { return t.MSet(pairs...) }, evens(pairs)...)
}

// MSetNX queues [Store.MSetNX].
func (p *Pipeline) MSetNX(pairs ...string) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.MSetNX(pairs...) }, evens(pairs)...)
}

// Incr queues [Store.Incr].
func (p *Pipeline) Incr(key string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.Incr(key) }, key)
}

// IncrBy queues [Store.IncrBy].
func (p *Pipeline) IncrBy(key string, increment int64) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.IncrBy(key, increment) }, key)
}

// Decr queues [Store.Decr].
func (p *Pipeline) Decr(key string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.Decr(key) }, key)
}

// DecrBy queues [Store.DecrBy].
func (p *Pipeline) DecrBy(key string, decrement int64) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.DecrBy(key, decrement) }, key)
}

// IncrByFloat queues [Store.IncrByFloat].
func (p *Pipeline) IncrByFloat(key string, increment float64) *Result[string] {
	return queue(p, func(t *Tx) (string, error) { return t.IncrByFloat(key, increment) }, key)
}

// Append queues [Store.Append].
func (p *Pipeline) Append(key, val string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.Append(key, val) }, key)
}

// StrLen queues [Store.StrLen].
func (p *Pipeline) StrLen(key string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.StrLen(key) }, key)
}

// GetRange queues [Store.GetRange].
func (p *Pipeline) GetRange(key string, start, end int64) *Result[string] {
	return queue(p, func(t *Tx) (string, error) { return t.GetRange(key, start, end) }, key)
}

// SetRange queues [Store.SetRange].
func (p *Pipeline) SetRange(key string, offset int64, val string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.SetRange(key, offset, val) }, key)
}

// HSet queues [Store.HSet].
func (p *Pipeline) HSet(key string, pairs ...string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.HSet(key, pairs...) }, key)
}

// HSetNX queues [Store.HSetNX].
func (p *Pipeline) HSetNX(key, field, val string) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.HSetNX(key, field, val) }, key)
}

// HGet queues [Store.HGet].
func (p *Pipeline) HGet(key, field string) *Result[Value] {
	return queueValue(p, func(t *Tx) (string, bool, error) { return t.HGet(key, field) }, key)
}

// HMGet queues [Store.HMGet].
func (p *Pipeline) HMGet(key string, fields ...string) *Result[[]Value] {
	return queue(p, func(t *Tx) ([]Value, error) { return t.HMGet(key, fields...) }, key)
}

// HGetAll queues [Store.HGetAll].
func (p *Pipeline) HGetAll(key string) *Result[map[string]string] {
	return queue(p, func(t *Tx) (map[string]string, error) { return t.HGetAll(key) }, key)
}

// HDel queues [Store.HDel].
func (p *Pipeline) HDel(key string, fields ...string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.HDel(key, fields...) }, key)
}

// HExists queues [Store.HExists].
func (p *Pipeline) HExists(key, field string) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.HExists(key, field) }, key)
}

// HLen queues [Store.HLen].
func (p *Pipeline) HLen(key string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.HLen(key) }, key)
}

// HKeys queues [Store.HKeys].
func (p *Pipeline) HKeys(key string) *Result[[]string] {
	return queue(p, func(t *Tx) ([]string, error) { return t.HKeys(key) }, key)
}

// HVals queues [Store.HVals].
func (p *Pipeline) HVals(key string) *Result[[]string] {
	return queue(p, func(t *Tx) ([]string, error) { return t.HVals(key) }, key)
}

// HIncrBy queues [Store.HIncrBy].
func (p *Pipeline) HIncrBy(key, field string, increment int64) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.HIncrBy(key, field, increment) }, key)
}

// HIncrByFloat queues [Store.HIncrByFloat].
func (p *Pipeline) HIncrByFloat(key, field string, increment float64) *Result[string] {
	return queue(p, func(t *Tx) (string, error) { return t.HIncrByFloat(key, field, increment) }, key)
}

// HStrLen queues [Store.HStrLen].
func (p *Pipeline) HStrLen(key, field string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.HStrLen(key, field) }, key)
}

// Del queues [Store.Del].
func (p *Pipeline) Del(keys ...string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.Del(keys...) }, keys...)
}

// Exists queues [Store.Exists].
func (p *Pipeline) Exists(keys ...string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.Exists(keys...) }, keys...)
}

// Type queues [Store.Type].
func (p *Pipeline) Type(key string) *Result[string] {
	return queue(p, func(t *Tx) (string, error) { return t.Type(key) }, key)
}

// Expire queues [Store.Expire].
func (p *Pipeline) Expire(key string, seconds int64, flags ...ExpireFlag) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.Expire(key, seconds, flags...) }, key)
}

// PExpire queues [Store.PExpire].
func (p *Pipeline) PExpire(key string, ms int64, flags ...ExpireFlag) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.PExpire(key, ms, flags...) }, key)
}

// ExpireAt queues [Store.ExpireAt].
func (p *Pipeline) ExpireAt(key string, unixSeconds int64, flags ...ExpireFlag) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.ExpireAt(key, unixSeconds, flags...) }, key)
}

// PExpireAt queues [Store.PExpireAt].
func (p *Pipeline) PExpireAt(key string, unixMs int64, flags ...ExpireFlag) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.PExpireAt(key, unixMs, flags...) }, key)
}

// TTL queues [Store.TTL].
func (p *Pipeline) TTL(key string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.TTL(key) }, key)
}

// PTTL queues [Store.PTTL].
func (p *Pipeline) PTTL(key string) *Result[int64] {
	return queue(p, func(t *Tx) (int64, error) { return t.PTTL(key) }, key)
}

// Persist queues [Store.Persist].
func (p *Pipeline) Persist(key string) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.Persist(key) }, key)
}

// Rename queues [Store.Rename]; its result is "OK".
func (p *Pipeline) Rename(key, newkey string) *Result[string] {
	return queueOK(p, func(t *Tx) error { return t.Rename(key, newkey) }, key, newkey)
}

// RenameNX queues [Store.RenameNX].
func (p *Pipeline) RenameNX(key, newkey string) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.RenameNX(key, newkey) }, key, newkey)
}

// Copy queues [Store.Copy].
func (p *Pipeline) Copy(src, dst string, replace bool) *Result[bool] {
	return queue(p, func(t *Tx) (bool, error) { return t.Copy(src, dst, replace) }, src, dst)
}
