package engine

import "context"

// PutRedrive implements RedriveStore.
func (s *MemStore) PutRedrive(ctx context.Context, executionARN string, r Redrive) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vers.init()
	s.vers.redrives[executionARN] = r
	return nil
}

// GetRedrive implements RedriveStore.
func (s *MemStore) GetRedrive(ctx context.Context, executionARN string) (Redrive, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vers.redrives[executionARN], nil
}

var _ RedriveStore = (*MemStore)(nil)
