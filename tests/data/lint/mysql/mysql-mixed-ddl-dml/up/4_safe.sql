UPDATE users SET tier = 'free';
