# Conturi locale pe portal (netradus încă: mesajele apar în italiană).
